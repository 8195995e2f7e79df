-- account-service: account holders, KYC, credentials, signing keys, devices and the audit log.

-- Everyone who holds money on the platform: an individual customer, a merchant, an enterprise,
-- or a sub-account of an enterprise (parent_id) with limits of its own.
create table customer (
    id                uuid        primary key,
    kind              text        not null check (kind in ('INDIVIDUAL', 'MERCHANT', 'ENTERPRISE', 'SUB_ACCOUNT')),
    parent_id         uuid        references customer (id),
    display_name      text        not null,
    email             text        unique,
    kyc_tier          text        not null default 'L0' check (kyc_tier in ('L0', 'L1', 'L2')),
    -- Own limits of a sub-account (minor units of limit_asset); null: the tier's limits only.
    limit_asset       text,
    per_tx_minor      numeric(39, 0),
    per_day_minor     numeric(39, 0),
    created_at        timestamptz not null,
    check ((kind = 'SUB_ACCOUNT') = (parent_id is not null))
);
create index customer_parent on customer (parent_id) where parent_id is not null;

-- Login of an individual customer: an Argon2id hash (spring-security-crypto's encoding).
create table customer_credential (
    customer_id   uuid        primary key references customer (id),
    password_hash text        not null,
    updated_at    timestamptz not null
);

-- Each KYC verification a provider answered.
create table kyc_verification (
    id            uuid        primary key,
    customer_id   uuid        not null references customer (id),
    requested     text        not null check (requested in ('L1', 'L2')),
    provider      text        not null,
    outcome       text        not null check (outcome in ('APPROVED', 'REJECTED', 'REVIEW')),
    reason        text,
    created_at    timestamptz not null
);
create index kyc_verification_customer on kyc_verification (customer_id, created_at);

-- Spend counted against the per-day limit, one row per authorised amount (idempotent by id).
create table kyc_spend (
    id            uuid        primary key,
    customer_id   uuid        not null references customer (id),
    asset         text        not null,
    amount_minor  numeric(39, 0) not null check (amount_minor > 0),
    day           date        not null,
    created_at    timestamptz not null
);
create index kyc_spend_day on kyc_spend (customer_id, asset, day);

-- Merchants' (and operations') API clients for the client-credentials grant. The secret is
-- 256 random bits, so a SHA-256 of it is enough (no slow hash: there is nothing to guess).
create table api_client (
    client_id     text        primary key,
    customer_id   uuid        references customer (id),
    secret_sha256 bytea       not null,
    scopes        text        not null,
    enabled       boolean     not null default true,
    created_at    timestamptz not null
);

-- ES256 signing keys. The newest unretired key signs; every key is served in the JWKS until
-- retire_after (when the last token it signed has expired).
create table signing_key (
    kid           text        primary key,
    private_jwk   text        not null,
    created_at    timestamptz not null,
    signing_until timestamptz,
    retire_after  timestamptz
);

-- A customer's device: its public key (JWK, ES256) binds the refresh tokens issued to it.
create table device (
    id            uuid        primary key,
    customer_id   uuid        not null references customer (id),
    name          text        not null,
    public_jwk    text        not null,
    created_at    timestamptz not null,
    revoked_at    timestamptz
);
create index device_customer on device (customer_id);

-- A login on a device. The refresh token is stored as its SHA-256 (256 random bits).
create table session (
    id                uuid        primary key,
    customer_id       uuid        not null references customer (id),
    device_id         uuid        not null references device (id),
    refresh_sha256    bytea       not null unique,
    created_at        timestamptz not null,
    last_refreshed_at timestamptz not null,
    expires_at        timestamptz not null,
    revoked_at        timestamptz,
    revoked_reason    text
);
create index session_customer on session (customer_id);

-- Who did what, when, from where, and how it ended: every verification step, every admin
-- action and every refusal. Append-only: the trigger below refuses UPDATE and DELETE.
create table audit_event (
    seq        bigserial   primary key,
    at         timestamptz not null,
    actor      text        not null,
    action     text        not null,
    target     text,
    outcome    text        not null,
    source_ip  text,
    detail     text
);
create index audit_event_target on audit_event (target, seq);

create function audit_event_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only: % refused', tg_op using errcode = '42501';
end
$$;
create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_event_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_append_only();
