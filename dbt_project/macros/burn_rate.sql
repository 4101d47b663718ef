{#- The burn-rate figures from spend_30d_minor, spend_prev_30d_minor, spend_90d_minor and
    balance_minor (integers, minor units), shared by the per-account and per-user marts.
    A month is 30 days: monthly burn = 90-day spend / 3. Averages are rounded half away from
    zero to the currency's minor unit; percentages and months to 2 decimals. -#}
{% macro burn_rate_columns() -%}
        {{ minor_to_amount('spend_30d_minor', 'currency', 18) }} as spend_30d,
        {{ minor_to_amount('spend_prev_30d_minor', 'currency', 18) }} as spend_prev_30d,
        {{ minor_to_amount('spend_90d_minor', 'currency', 18) }} as spend_90d,
        {{ minor_to_amount(divide_rounded('spend_30d_minor', '30'), 'currency', 18) }}
            as avg_daily_spend_30d,
        {{ minor_to_amount(divide_rounded('spend_90d_minor', '90'), 'currency', 18) }}
            as avg_daily_spend_90d,
        {{ minor_to_amount(divide_rounded('spend_90d_minor', '3'), 'currency', 18) }}
            as monthly_burn,
        -- trend: the last 30 days against the 30 before them
        cast(cast({{ divide_rounded('(spend_30d_minor - spend_prev_30d_minor) * 10000',
            'spend_prev_30d_minor') }} as decimal(36, 0)) * 0.01 as decimal(18, 2))
            as spend_change_pct,
        case
            when spend_30d_minor > spend_prev_30d_minor then 'up'
            when spend_30d_minor < spend_prev_30d_minor then 'down'
            else 'flat'
        end as spend_trend,
        {{ minor_to_amount('balance_minor', 'currency', 18) }} as balance,
        -- months the balance lasts at the monthly burn: balance / (spend_90d / 3); none without
        -- spending, 0 when the balance is not positive
        cast(cast({{ divide_rounded('greatest(balance_minor, 0) * 300', 'spend_90d_minor') }}
            as decimal(36, 0)) * 0.01 as decimal(18, 2)) as runway_months
{%- endmacro %}
