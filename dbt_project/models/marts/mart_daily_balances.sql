-- End-of-day balance of every account for every day from its first transaction (or its creation,
-- if it has none) to the as-of date (or its last transaction, if later): opening balance plus
-- the running sum of its transactions; days without activity carry the balance forward.
with accounts as (
    select * from {{ ref('stg_ops__accounts') }}
),

transactions as (
    select * from {{ ref('fct_transactions') }}
),

daily_flows as (
    select account_id, txn_date as balance_date, sum(amount_minor) as net_flow_minor
    from transactions
    group by account_id, txn_date
),

account_ranges as (
    select
        accounts.account_id,
        accounts.user_id,
        accounts.currency,
        accounts.opening_balance_minor,
        coalesce(
            min(daily_flows.balance_date),
            least(cast(accounts.created_at as date), {{ as_of_date() }})
        ) as first_date,
        greatest({{ as_of_date() }}, max(daily_flows.balance_date)) as last_date
    from accounts
    left join daily_flows on accounts.account_id = daily_flows.account_id
    group by
        accounts.account_id,
        accounts.user_id,
        accounts.currency,
        accounts.opening_balance_minor,
        accounts.created_at
),

account_days as (
    select
        account_ranges.*,
        cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date)
            as balance_date
    from account_ranges
),

balances as (
    select
        account_days.user_id,
        account_days.account_id,
        account_days.currency,
        account_days.balance_date,
        coalesce(daily_flows.net_flow_minor, 0) as net_flow_minor,
        account_days.opening_balance_minor + sum(coalesce(daily_flows.net_flow_minor, 0)) over (
            partition by account_days.account_id
            order by account_days.balance_date
            rows between unbounded preceding and current row
        ) as balance_minor
    from account_days
    left join daily_flows
        on account_days.account_id = daily_flows.account_id
        and account_days.balance_date = daily_flows.balance_date
),

final as (
    select
        user_id,
        account_id,
        currency,
        balance_date,
        cast(net_flow_minor as bigint) as net_flow_minor,
        {{ minor_to_amount('net_flow_minor', 'currency', 18) }} as net_flow,
        cast(balance_minor as bigint) as balance_minor,
        {{ minor_to_amount('balance_minor', 'currency', 18) }} as balance
    from balances
)

select * from final
