-- Enterprise approval policies (M-of-N): who may approve, above which amount, and the votes.

-- Individuals who act for an enterprise; an APPROVER votes on its payments.
create table enterprise_member (
    enterprise_id uuid        not null references customer (id),
    customer_id   uuid        not null references customer (id),
    role          text        not null check (role in ('APPROVER')),
    created_at    timestamptz not null,
    primary key (enterprise_id, customer_id)
);
create index enterprise_member_customer on enterprise_member (customer_id);

-- One policy per enterprise and asset: a payment above threshold_minor, or to a destination
-- not on the allowlist, needs `required` approvals.
create table approval_policy (
    enterprise_id   uuid           not null references customer (id),
    asset           text           not null,
    threshold_minor numeric(39, 0) not null check (threshold_minor >= 0),
    required        int            not null check (required between 1 and 20),
    allowlist       text           not null default '',
    updated_at      timestamptz    not null,
    primary key (enterprise_id, asset)
);

create table approval_request (
    id            uuid           primary key,
    enterprise_id uuid           not null references customer (id),
    payment_id    uuid           not null unique,
    amount_minor  numeric(39, 0) not null check (amount_minor > 0),
    asset         text           not null,
    destination   text           not null,
    required      int            not null,
    status        text           not null check (status in ('PENDING', 'APPROVED', 'REJECTED', 'NOT_REQUIRED')),
    attestation   text,
    created_at    timestamptz    not null,
    decided_at    timestamptz
);
create index approval_request_enterprise on approval_request (enterprise_id, created_at);

create table approval_vote (
    request_id  uuid        not null references approval_request (id),
    approver_id uuid        not null references customer (id),
    decision    text        not null check (decision in ('APPROVE', 'REJECT')),
    created_at  timestamptz not null,
    primary key (request_id, approver_id)
);
