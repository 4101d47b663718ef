-- Income and spending per category per month of a user in one currency, over all accounts.
with account_categories as (
    select * from {{ ref('mart_account_category_spend_monthly') }}
),

final as (
    select
        user_id,
        currency,
        month_start,
        category,
        category_kind,
        cast(sum(income) as decimal(18, 4)) as income,
        cast(sum(expenses) as decimal(18, 4)) as expenses,
        cast(sum(net) as decimal(18, 4)) as net,
        cast(sum(transaction_count) as bigint) as transaction_count
    from account_categories
    group by user_id, currency, month_start, category, category_kind
)

select * from final
