-- Rate limits shared by every server process (issue 21 part 1): requests counted per
-- (limit, client address, minute) in the database instead of each process's memory, so
-- that a limit holds however many processes serve behind the load balancer. Rows older
-- than two minutes are swept.
CREATE TABLE rate_counts (
    bucket TEXT NOT NULL,
    client TEXT NOT NULL,
    minute BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, client, minute)
);
CREATE INDEX rate_counts_minute ON rate_counts (minute);
