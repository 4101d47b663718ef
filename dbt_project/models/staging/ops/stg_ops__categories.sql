with source as (
    select * from {{ source('ops', 'categories') }}
),

final as (
    select
        cast(name as varchar) as category,
        cast(kind as varchar) as category_kind
    from source
)

select * from final
