-- Social recovery: a customer's guardians (M-of-N) approve a reset of its login, which takes
-- effect only a delay after the M-th approval, so that the owner, notified at every step, can
-- cancel a recovery it did not ask for.

create table recovery_guardian (
    customer_id  uuid        not null references customer (id),
    guardian_id  uuid        not null references customer (id),
    created_at   timestamptz not null,
    primary key (customer_id, guardian_id),
    check (customer_id <> guardian_id)
);
create index recovery_guardian_guardian on recovery_guardian (guardian_id);

-- How many guardians must approve (M); N is the number of guardians.
create table recovery_policy (
    customer_id  uuid        primary key references customer (id),
    required     int         not null check (required between 1 and 10),
    updated_at   timestamptz not null
);

-- REQUESTED -> APPROVED (M approvals) -> COMPLETED (after completes_after, by the requester's
-- token); REQUESTED or APPROVED -> CANCELLED by the owner. The new password is kept only as its
-- Argon2id hash; the requester's completion token only as its SHA-256.
create table recovery_request (
    id                uuid        primary key,
    customer_id       uuid        not null references customer (id),
    status            text        not null check (status in ('REQUESTED', 'APPROVED', 'COMPLETED', 'CANCELLED')),
    required          int         not null,
    new_password_hash text        not null,
    token_sha256      bytea       not null,
    created_at        timestamptz not null,
    approved_at       timestamptz,
    completes_after   timestamptz,
    finished_at       timestamptz,
    check ((status = 'REQUESTED') = (approved_at is null) or status = 'CANCELLED')
);
-- At most one open recovery per customer.
create unique index recovery_request_open on recovery_request (customer_id)
    where status in ('REQUESTED', 'APPROVED');

create table recovery_approval (
    request_id   uuid        not null references recovery_request (id),
    guardian_id  uuid        not null references customer (id),
    created_at   timestamptz not null,
    primary key (request_id, guardian_id)
);

-- Notices to customers (the owner and its guardians), recorded for the app to show and for a
-- mail/push sender to pick up.
create table notification (
    id           uuid        primary key,
    customer_id  uuid        not null references customer (id),
    kind         text        not null,
    subject_id   uuid,
    message      text        not null,
    created_at   timestamptz not null
);
create index notification_customer on notification (customer_id, created_at);
