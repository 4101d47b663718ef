-- Monthly cash flow of one account: income is money in, expenses money out (a positive figure),
-- net = income - expenses. Transfers between the user's own accounts are neither: they are
-- shown apart (transfers_in / transfers_out).
with transactions as (
    select * from {{ ref('fct_transactions') }}
),

final as (
    select
        user_id,
        account_id,
        currency,
        cast(date_trunc('month', txn_date) as date) as month_start,
        cast(coalesce(sum(amount) filter (where not is_transfer and amount > 0), 0)
            as decimal(18, 4)) as income,
        cast(coalesce(-sum(amount) filter (where not is_transfer and amount < 0), 0)
            as decimal(18, 4)) as expenses,
        cast(coalesce(sum(amount) filter (where not is_transfer), 0)
            as decimal(18, 4)) as net,
        cast(coalesce(sum(amount) filter (where is_transfer and amount > 0), 0)
            as decimal(18, 4)) as transfers_in,
        cast(coalesce(-sum(amount) filter (where is_transfer and amount < 0), 0)
            as decimal(18, 4)) as transfers_out,
        count(*) as transaction_count
    from transactions
    group by user_id, account_id, currency, month_start
)

select * from final
