-- Burn rate and runway of one account, as of the build's as-of date.
with spend_windows as (
    select * from {{ ref('int_account_spend_windows') }}
),

final as (
    select
        user_id,
        account_id,
        currency,
        as_of_date,
        {{ burn_rate_columns() }}
    from spend_windows
)

select * from final
