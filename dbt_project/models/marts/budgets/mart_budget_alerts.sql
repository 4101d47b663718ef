-- Alert candidates for the budgets of the reference month (the month of as_of_date): one row per
-- budget at `warning` (>= 80 % spent) or `exceeded` (> 100 %), typed as the alert types of the
-- API (`budget_warning`, `budget_exceeded`). `alert_key` is stable for a budget and a type, so
-- the job that writes alerts rows writes each one once; a budget that goes from warning to
-- exceeded gets a second, different key. Past months are not alerted on.

with progress as (
    select * from {{ ref('mart_budget_progress') }}
),

candidates as (
    select
        *,
        case status
            when 'exceeded' then 'budget_exceeded'
            else 'budget_warning'
        end as alert_type,
        {%- for column in ['spent_minor', 'limit_minor'] %}
        -- the amount as text with the currency's own number of decimals (JPY 0, USD 2, KWD 3)
        case currency
            {%- for currency, exponent in var('currency_exponents').items() %}
            when '{{ currency }}' then cast(cast({{ column }} * {{ '1' if exponent == 0 else '0.' ~ ('0' * (exponent - 1)) ~ '1' }} as decimal(38, {{ exponent }})) as varchar)
            {%- endfor %}
            else cast(cast({{ column }} * 0.01 as decimal(38, 2)) as varchar)
        end as {{ column | replace('_minor', '_text') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from progress
    where
        status in ('warning', 'exceeded')
        and month_start = cast(date_trunc('month', as_of_date) as date)
),

final as (
    select
        alert_type || ':' || cast(budget_id as varchar) as alert_key,
        budget_id,
        user_id,
        alert_type,
        budget_year,
        budget_month,
        category,
        currency,
        limit_minor,
        spent_minor,
        percent_used,
        category || ' budget for ' || strftime(month_start, '%B %Y') || ': '
            || cast(percent_used as varchar) || '% used ('
            || spent_text || ' of ' || limit_text || ' ' || currency || ')' as message,
        as_of_date
    from candidates
)

select * from final
