-- Every transaction with the kind of its category (null when uncategorized), read once from the
-- ops store per build so that every downstream model sees the same rows.
with transactions as (
    select * from {{ ref('stg_ops__transactions') }}
),

categories as (
    select * from {{ ref('stg_ops__categories') }}
),

final as (
    select
        transactions.transaction_id,
        transactions.user_id,
        transactions.account_id,
        transactions.txn_date,
        transactions.posted_date,
        transactions.amount,
        transactions.amount_minor,
        transactions.currency,
        transactions.description,
        transactions.merchant,
        transactions.category,
        categories.category_kind,
        transactions.category_source,
        transactions.is_pending,
        transactions.source,
        transactions.created_at,
        transactions.updated_at
    from transactions
    left join categories on transactions.category = categories.category
)

select * from final
