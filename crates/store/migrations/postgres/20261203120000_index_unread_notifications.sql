-- The bell's unread count on every page: a user's unread notifications, found without reading the read ones.
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
