-- Spending per merchant per month of a user in one currency, over all their accounts, ranked.
with account_merchants as (
    select * from {{ ref('mart_account_merchant_spend_monthly') }}
),

final as (
    select
        user_id,
        currency,
        month_start,
        merchant,
        cast(sum(spend) as decimal(18, 4)) as spend,
        cast(sum(transaction_count) as bigint) as transaction_count,
        row_number() over (
            partition by user_id, currency, month_start
            order by sum(spend) desc, merchant
        ) as spend_rank
    from account_merchants
    group by user_id, currency, month_start, merchant
)

select * from final
