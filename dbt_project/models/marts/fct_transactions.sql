{#- Incremental: only new or changed rows are written; rows deleted from the ops store (or whose
    account was deleted) are removed by the post-hook. A row counts as changed when any column
    differs, so a re-categorisation, a category's kind, or a transfer pairing that appears when
    the other leg arrives, all reach the mart without relying on writers bumping updated_at. -#}
{%- set compared_columns = [
    'user_id', 'account_id', 'txn_date', 'posted_date', 'amount_minor', 'currency',
    'description', 'merchant', 'category', 'category_kind', 'category_source', 'is_transfer',
    'transfer_pair_transaction_id', 'is_pending', 'source', 'updated_at'
] -%}

{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=[
            "delete from {{ this }} where transaction_id not in
                (select transaction_id from {{ ref('int_transactions_categorized') }})"
        ],
    )
}}

with transactions as (
    select * from {{ ref('int_transactions_categorized') }}
),

transfer_pairs as (
    select * from {{ ref('int_transfers_paired') }}
),

classified as (
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
        transactions.category_kind,
        transactions.category_source,
        coalesce(transactions.category_kind = 'transfer', false)
            or transfer_pairs.transaction_id is not null as is_transfer,
        transfer_pairs.paired_transaction_id as transfer_pair_transaction_id,
        transactions.is_pending,
        transactions.source,
        transactions.updated_at
    from transactions
    left join transfer_pairs on transactions.transaction_id = transfer_pairs.transaction_id
),

{% if is_incremental() %}
existing as (
    select * from {{ this }}
),

changed as (
    select classified.*
    from classified
    left join existing on classified.transaction_id = existing.transaction_id
    where existing.transaction_id is null
    {%- for column in compared_columns %}
        or classified.{{ column }} is distinct from existing.{{ column }}
    {%- endfor %}
),
{% else %}
changed as (
    select * from classified
),
{% endif %}

final as (
    select * from changed
)

select * from final
