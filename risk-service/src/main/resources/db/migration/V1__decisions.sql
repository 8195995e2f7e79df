-- Every decision risk-service made, with the facts it decided on and its reasons.
create table risk_decision (
    payment_id       uuid primary key,
    decision         text           not null,
    reasons          text[]         not null,
    payer_account_id uuid           not null,
    amount           numeric(39, 0) not null,
    asset            text           not null,
    decided_at       timestamptz    not null
);
create index risk_decision_payer on risk_decision (payer_account_id, decided_at);
