-- Burn rate and runway of a user in one currency: spending over all their accounts in that
-- currency; the balance is that of their liquid accounts (var liquid_account_types: checking,
-- savings, cash), since card and loan balances are not money to live on.
with spend_windows as (
    select * from {{ ref('int_account_spend_windows') }}
),

per_user as (
    select
        user_id,
        currency,
        as_of_date,
        sum(spend_30d_minor) as spend_30d_minor,
        sum(spend_prev_30d_minor) as spend_prev_30d_minor,
        sum(spend_90d_minor) as spend_90d_minor,
        coalesce(sum(balance_minor) filter (
            where account_type in ('{{ var("liquid_account_types") | join("', '") }}')
        ), 0) as balance_minor
    from spend_windows
    group by user_id, currency, as_of_date
),

final as (
    select
        user_id,
        currency,
        as_of_date,
        {{ burn_rate_columns() }}
    from per_user
)

select * from final
