-- Attain schema 0005 for SQLite.

-- Sign-in throttling by subject: a login name from one client address, a client address
-- across all names, and a login name from every address (docs/api.md, "Signing in"). Each
-- password check is claimed here before it runs, so parallel guesses count; a subject that
-- reaches its limit is locked, for twice as long at each further lock.
DROP TABLE "login_throttle";
CREATE TABLE "sign_in_throttle" (
    "subject" TEXT NOT NULL,
    "attempts" BIGINT NOT NULL,
    "last_attempt_at" TEXT NOT NULL,
    "locked_until" TEXT,
    "lockouts" BIGINT NOT NULL,
    PRIMARY KEY ("subject")
);
