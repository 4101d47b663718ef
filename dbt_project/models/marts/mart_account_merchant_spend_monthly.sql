-- Spending per merchant per month in one account: money out that is not a transfer. Without a
-- merchant name the description stands in (bank exports often carry no merchant).
with transactions as (
    select * from {{ ref('fct_transactions') }}
),

spending as (
    select
        user_id,
        account_id,
        currency,
        cast(date_trunc('month', txn_date) as date) as month_start,
        coalesce(nullif(trim(merchant), ''), trim(description)) as merchant,
        -amount as spend
    from transactions
    where not is_transfer and amount < 0
),

final as (
    select
        user_id,
        account_id,
        currency,
        month_start,
        merchant,
        cast(sum(spend) as decimal(18, 4)) as spend,
        count(*) as transaction_count,
        row_number() over (
            partition by user_id, account_id, currency, month_start
            order by sum(spend) desc, merchant
        ) as spend_rank
    from spending
    group by user_id, account_id, currency, month_start, merchant
)

select * from final
