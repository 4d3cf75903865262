-- Notices of the service side (an outlet over its overtime-wait target today, a rectification
-- overdue) share the bell and the mail with the complaint alerts. They name their subject by a key
-- ("BJ0101:20261204", "rect:12:2") that makes each notice once per user; complaint alerts keep
-- theirs once per user and event.
ALTER TABLE notifications ADD COLUMN subject_key TEXT;
DROP INDEX notifications_once;
CREATE UNIQUE INDEX notifications_once ON notifications(user_id, event_seq) WHERE subject_key IS NULL;
CREATE UNIQUE INDEX notifications_service_once ON notifications(user_id, kind, subject_key) WHERE subject_key IS NOT NULL;
