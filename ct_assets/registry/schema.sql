CREATE TABLE IF NOT EXISTS model_versions (
    version VARCHAR PRIMARY KEY,
    seq INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,            -- contender | champion | archived | rejected
    task VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    metrics JSON,                       -- contender on the holdout
    champion_metrics JSON,              -- the champion of the day on the same holdout
    cutoff DATE NOT NULL,
    window_days INTEGER NOT NULL,
    window_start DATE NOT NULL,
    snapshot_id VARCHAR NOT NULL,
    feature_version VARCHAR NOT NULL,
    n_rows INTEGER NOT NULL,
    feature_schema JSON NOT NULL,
    profile JSON NOT NULL,
    artifact_path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    run_id VARCHAR,
    trigger VARCHAR,
    reason VARCHAR,
    gate JSON,
    model_tag VARCHAR,
    bento_tag VARCHAR,
    deployable BOOLEAN,                 -- infra validation: NULL never validated
    refit JSON                          -- the served model refit on every label to the cutoff
);
CREATE TABLE IF NOT EXISTS aliases (
    alias VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    day DATE NOT NULL,                  -- the data day from which it served
    since TIMESTAMP NOT NULL,
    until TIMESTAMP,
    reason VARCHAR,
    run_id VARCHAR
);
