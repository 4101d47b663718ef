-- Only what the warehouse needs: never password hashes or contact details.
with source as (
    select * from {{ source('ops', 'users') }}
),

final as (
    select
        cast(id as bigint) as user_id,
        cast(base_currency as varchar) as base_currency,
        cast(role as varchar) as role,
        {{ utc_timestamp('created_at') }} as created_at
    from source
)

select * from final
