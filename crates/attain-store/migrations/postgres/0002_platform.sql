-- Attain schema 0002 for PostgreSQL.

-- Sign-in, API tokens, throttling and the audit log: the web platform's own tables.
-- Instants are RFC 3339 UTC text with whole seconds ("2026-11-22T10:15:00Z"), fixed width so
-- text comparison orders them.

CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "person_id" TEXT,
    "password_hash" TEXT NOT NULL,
    "disabled" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "users_login" ON "users" ("login");

-- A session is known by the SHA-256 of its cookie value, so a copy of the table signs no one in.
CREATE TABLE "sessions" (
    "id_hash" TEXT NOT NULL,
    "user_id" TEXT NOT NULL REFERENCES "users" ("id"),
    "csrf_token" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "expires_at" TEXT NOT NULL,
    PRIMARY KEY ("id_hash")
);
CREATE INDEX "sessions_user" ON "sessions" ("user_id");

CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL REFERENCES "users" ("id"),
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "last_used_at" TEXT,
    "revoked_at" TEXT,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_tokens_hash" ON "api_tokens" ("token_hash");
CREATE INDEX "api_tokens_user" ON "api_tokens" ("user_id");

-- Failed sign-ins per login name (known or not), for throttling.
CREATE TABLE "login_throttle" (
    "login" TEXT NOT NULL,
    "failures" BIGINT NOT NULL,
    "window_start" TEXT NOT NULL,
    "locked_until" TEXT,
    PRIMARY KEY ("login")
);

-- Append-only, hash-chained: each entry's hash covers its fields and the previous hash.
CREATE TABLE "audit_log" (
    "seq" BIGINT NOT NULL,
    "at" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_login" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "ip" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT,
    "before_json" TEXT,
    "after_json" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    PRIMARY KEY ("seq")
);
CREATE INDEX "audit_log_entity" ON "audit_log" ("entity", "entity_id");
CREATE INDEX "audit_log_at" ON "audit_log" ("at");

-- The chain's head: appending updates this one row first, which serialises concurrent
-- appenders on PostgreSQL (a row lock) and lets `attain audit verify` notice a deleted tail.
CREATE TABLE "audit_head" (
    "id" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    PRIMARY KEY ("id")
);
INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
