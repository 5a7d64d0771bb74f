-- A group robot's messages of the last minute (`outbox::pace`, 20 a minute), read by
-- channel and time sent without walking the channel's whole history.
CREATE INDEX deliveries_channel_sent ON deliveries (channel_id, sent_at);
