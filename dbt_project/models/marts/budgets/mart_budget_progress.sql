-- One row per budget: how much of its limit is spent, its status and the projected month-end
-- spend, as of the build's reference date (var as_of_date, default today UTC). The API serves
-- these figures as they are; the rules live here only.
-- - spent: from mart_budget_category_spend_monthly (same user, currency, category, month);
-- - remaining = limit - spent (negative when overspent);
-- - percent_used = spent / limit * 100, truncated to 2 decimals (never rounded up to a threshold);
-- - status compares exact minor units: `exceeded` when spent > limit, `warning` when
--   spent >= 80 % of the limit (exactly 80 % and exactly 100 % are warnings), else `ok`;
-- - projected month-end spend = spent * days_in_month / days_elapsed (rounded half away from
--   zero to a minor unit); a past month projects its actual spend, a month not yet started null.
with budgets as (
    select * from {{ ref('stg_ops__budgets') }}
),

spend as (
    select * from {{ ref('mart_budget_category_spend_monthly') }}
),

calendar as (
    select
        budgets.*,
        {{ as_of_date() }} as as_of_date,
        cast(last_day(budgets.month_start) as date) as month_end,
        cast(day(last_day(budgets.month_start)) as integer) as days_in_month
    from budgets
),

measured as (
    select
        calendar.budget_id,
        calendar.user_id,
        calendar.budget_year,
        calendar.budget_month,
        calendar.month_start,
        calendar.month_end,
        calendar.category,
        calendar.currency,
        calendar.limit_minor,
        coalesce(spend.spent_minor, 0) as spent_minor,
        coalesce(spend.outflow_minor, 0) as outflow_minor,
        coalesce(spend.refund_minor, 0) as refund_minor,
        coalesce(spend.transaction_count, 0) as transaction_count,
        calendar.days_in_month,
        cast(
            case
                when calendar.as_of_date < calendar.month_start then 0
                when calendar.as_of_date > calendar.month_end then calendar.days_in_month
                else day(calendar.as_of_date)
            end as integer
        ) as days_elapsed,
        calendar.as_of_date
    from calendar
    left join spend
        on calendar.user_id = spend.user_id
        and calendar.currency = spend.currency
        and calendar.month_start = spend.month_start
        and calendar.category = spend.category
),

projected as (
    select
        *,
        cast(
            case
                when days_elapsed = 0 then null
                else {{ divide_rounded('spent_minor * days_in_month', 'days_elapsed') }}
            end as bigint
        ) as projected_spend_minor
    from measured
),

final as (
    select
        budget_id,
        user_id,
        budget_year,
        budget_month,
        month_start,
        category,
        currency,
        limit_minor,
        spent_minor,
        cast(limit_minor - spent_minor as bigint) as remaining_minor,
        {{ minor_to_amount('limit_minor', 'currency') }} as limit_amount,
        {{ minor_to_amount('spent_minor', 'currency') }} as spent_amount,
        {{ minor_to_amount('(limit_minor - spent_minor)', 'currency') }} as remaining_amount,
        cast(
            cast(cast(spent_minor as hugeint) * 10000 // limit_minor as decimal(38, 0)) * 0.01
            as decimal(12, 2)
        ) as percent_used,
        case
            when spent_minor > limit_minor then 'exceeded'
            when spent_minor * 100 >= limit_minor * 80 then 'warning'
            else 'ok'
        end as status,
        projected_spend_minor,
        {{ minor_to_amount('projected_spend_minor', 'currency') }} as projected_spend_amount,
        case
            when projected_spend_minor is null then null
            when projected_spend_minor > limit_minor then 'exceeded'
            when projected_spend_minor * 100 >= limit_minor * 80 then 'warning'
            else 'ok'
        end as projected_status,
        outflow_minor,
        refund_minor,
        transaction_count,
        days_in_month,
        days_elapsed,
        as_of_date
    from projected
)

select * from final
