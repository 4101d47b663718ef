with source as (
    select * from {{ source('ops', 'accounts') }}
),

final as (
    select
        cast(id as bigint) as account_id,
        cast(user_id as bigint) as user_id,
        cast(bank_name as varchar) as bank_name,
        cast(account_type as varchar) as account_type,
        cast(currency as varchar) as currency,
        cast(opening_balance_minor as bigint) as opening_balance_minor,
        {{ minor_to_amount('cast(opening_balance_minor as bigint)', 'currency') }} as opening_balance,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at
    from source
)

select * from final
