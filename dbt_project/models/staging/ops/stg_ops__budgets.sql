with source as (
    select * from {{ source('ops', 'budgets') }}
),

final as (
    select
        cast(id as bigint) as budget_id,
        cast(user_id as bigint) as user_id,
        cast(year as integer) as budget_year,
        cast(month as integer) as budget_month,
        make_date(cast(year as integer), cast(month as integer), 1) as month_start,
        cast(category as varchar) as category,
        cast(limit_minor as bigint) as limit_minor,
        cast(currency as varchar) as currency,
        {{ minor_to_amount('cast(limit_minor as bigint)', 'currency') }} as limit_amount,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at
    from source
)

select * from final
