-- The account holder a payment was made for (the access token's cid): only that holder (and
-- operations) may read it. Null for payments made before, or with authentication off.
alter table payment add column owner_id uuid;
create index payment_owner on payment (owner_id, created_at);
