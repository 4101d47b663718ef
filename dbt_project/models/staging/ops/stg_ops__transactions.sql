with source as (
    select * from {{ source('ops', 'transactions') }}
),

final as (
    select
        cast(id as bigint) as transaction_id,
        cast(user_id as bigint) as user_id,
        cast(account_id as bigint) as account_id,
        cast(import_batch_id as bigint) as import_batch_id,
        cast(source as varchar) as source,
        cast(source_key as varchar) as source_key,
        cast(txn_date as date) as txn_date,
        cast(posted_date as date) as posted_date,
        cast(description as varchar) as description,
        cast(merchant as varchar) as merchant,
        cast(category as varchar) as category,
        cast(category_source as varchar) as category_source,
        cast(amount_minor as bigint) as amount_minor,
        cast(currency as varchar) as currency,
        {{ minor_to_amount('cast(amount_minor as bigint)', 'currency') }} as amount,
        -- SQLite keeps booleans as 0/1
        cast(is_pending as boolean) as is_pending,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at
    from source
)

select * from final
