-- Runs once, on an empty data directory. The app connects as `prm`, never as a superuser: superusers
-- and BYPASSRLS roles skip row-level security, so tenant isolation would silently stop applying.
-- CREATEDB lets the test suite create its own test database.
CREATE ROLE prm LOGIN PASSWORD 'prm' NOSUPERUSER NOBYPASSRLS NOCREATEROLE CREATEDB;
CREATE DATABASE prm OWNER prm;
