-- Each process that writes leases one of sixteen nodes, so that the ids several
-- processes generate on one database never meet (`store::ids`).
CREATE TABLE id_nodes (
    node BIGINT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
INSERT INTO id_nodes (node, seen_at) VALUES (0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 0), (12, 0), (13, 0), (14, 0), (15, 0);
