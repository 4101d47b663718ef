-- Per account, the spending (money out that is not a transfer, in minor units) over trailing
-- windows ending on the as-of date, and the balance at the end of that day.
with accounts as (
    select * from {{ ref('stg_ops__accounts') }}
),

transactions as (
    select * from {{ ref('fct_transactions') }}
),

spending as (
    select
        account_id,
        txn_date,
        -amount_minor as spend_minor
    from transactions
    where not is_transfer and amount_minor < 0
),

windows as (
    select
        account_id,
        coalesce(sum(spend_minor) filter (
            where txn_date between {{ as_of_date() }} - 29 and {{ as_of_date() }}
        ), 0) as spend_30d_minor,
        coalesce(sum(spend_minor) filter (
            where txn_date between {{ as_of_date() }} - 59 and {{ as_of_date() }} - 30
        ), 0) as spend_prev_30d_minor,
        coalesce(sum(spend_minor) filter (
            where txn_date between {{ as_of_date() }} - 89 and {{ as_of_date() }}
        ), 0) as spend_90d_minor
    from spending
    group by account_id
),

balances as (
    select account_id, sum(amount_minor) as flow_minor
    from transactions
    where txn_date <= {{ as_of_date() }}
    group by account_id
),

final as (
    select
        accounts.user_id,
        accounts.account_id,
        accounts.account_type,
        accounts.currency,
        {{ as_of_date() }} as as_of_date,
        cast(coalesce(windows.spend_30d_minor, 0) as hugeint) as spend_30d_minor,
        cast(coalesce(windows.spend_prev_30d_minor, 0) as hugeint) as spend_prev_30d_minor,
        cast(coalesce(windows.spend_90d_minor, 0) as hugeint) as spend_90d_minor,
        cast(accounts.opening_balance_minor + coalesce(balances.flow_minor, 0) as hugeint)
            as balance_minor
    from accounts
    left join windows on accounts.account_id = windows.account_id
    left join balances on accounts.account_id = balances.account_id
)

select * from final
