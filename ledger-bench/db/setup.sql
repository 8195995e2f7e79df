-- The accounts of scratch-batch.sh: 10,000 USD accounts without limits, numbered in bench_acc.
insert into ledger_account (id, asset, asset_scale, code)
select gen_random_uuid(), 'USD', 2, 'bench' from generate_series(1, 10000);
create table bench_acc as select row_number() over () as k, id from ledger_account;
