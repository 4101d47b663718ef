-- Monthly cash flow of a user in one currency, over all their accounts (amounts in different
-- currencies are never added up).
with account_cash_flow as (
    select * from {{ ref('mart_account_cash_flow_monthly') }}
),

final as (
    select
        user_id,
        currency,
        month_start,
        cast(sum(income) as decimal(18, 4)) as income,
        cast(sum(expenses) as decimal(18, 4)) as expenses,
        cast(sum(net) as decimal(18, 4)) as net,
        cast(sum(transfers_in) as decimal(18, 4)) as transfers_in,
        cast(sum(transfers_out) as decimal(18, 4)) as transfers_out,
        cast(sum(transaction_count) as bigint) as transaction_count
    from account_cash_flow
    group by user_id, currency, month_start
)

select * from final
