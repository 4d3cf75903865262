-- The key that seals the history, by its public id, and the event from which the chain is keyed:
-- events before it were chained with plain SHA-256 and are held by the anchor, the key's seal over
-- keyed_from and the hash of the event before it.
CREATE TABLE chain_seal (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    key_id      TEXT    NOT NULL,
    keyed_from  BIGINT NOT NULL,
    anchor      TEXT    NOT NULL
);

-- The access log of unmasked reads is chained as the events are: its own head, and each entry's
-- place, previous seal and seal. Entries written before this have no place and are not checked.
CREATE TABLE access_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO access_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
ALTER TABLE access_log ADD COLUMN seq BIGINT;
ALTER TABLE access_log ADD COLUMN prev_hash TEXT;
ALTER TABLE access_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX access_log_seq ON access_log(seq);
