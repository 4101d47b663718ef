-- Income and spending per category per month in one account. Transfers are left out, so that
-- the categories of a month add up to its cash flow. Uncategorised rows are 'Uncategorized'
-- with a null kind.
with transactions as (
    select * from {{ ref('fct_transactions') }}
),

final as (
    select
        user_id,
        account_id,
        currency,
        cast(date_trunc('month', txn_date) as date) as month_start,
        coalesce(category, 'Uncategorized') as category,
        category_kind,
        cast(coalesce(sum(amount) filter (where amount > 0), 0) as decimal(18, 4)) as income,
        cast(coalesce(-sum(amount) filter (where amount < 0), 0) as decimal(18, 4)) as expenses,
        cast(sum(amount) as decimal(18, 4)) as net,
        count(*) as transaction_count
    from transactions
    where not is_transfer
    group by user_id, account_id, currency, month_start, category, category_kind
)

select * from final
