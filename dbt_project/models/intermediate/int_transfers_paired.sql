-- Transfers between a user's own accounts that nobody categorised as such: an outflow and an
-- inflow of the same user and currency, of opposite amounts, in two different accounts, at most
-- var('transfer_match_days') days apart. Matching is one-to-one: a pair is kept when each side
-- is the other's nearest candidate (closest date, then lowest id), so two equal outflows never
-- both claim one inflow. A category a person chose (manual/bulk) of kind income or expense says
-- it is not a transfer, and takes the transaction out of matching.
with transactions as (
    select * from {{ ref('int_transactions_categorized') }}
),

candidates as (
    select *
    from transactions
    where amount_minor <> 0
        and not coalesce(
            category_source in ('manual', 'bulk') and category_kind in ('income', 'expense'),
            false
        )
),

candidate_pairs as (
    select
        outflows.transaction_id as outflow_transaction_id,
        inflows.transaction_id as inflow_transaction_id,
        abs(inflows.txn_date - outflows.txn_date) as days_apart
    from candidates as outflows
    inner join candidates as inflows
        on outflows.user_id = inflows.user_id
        and outflows.currency = inflows.currency
        and inflows.amount_minor = -outflows.amount_minor
        and outflows.account_id <> inflows.account_id
        and abs(inflows.txn_date - outflows.txn_date) <= {{ var('transfer_match_days') }}
    where outflows.amount_minor < 0
),

ranked_pairs as (
    select
        *,
        row_number() over (
            partition by outflow_transaction_id
            order by days_apart, inflow_transaction_id
        ) as rank_for_outflow,
        row_number() over (
            partition by inflow_transaction_id
            order by days_apart, outflow_transaction_id
        ) as rank_for_inflow
    from candidate_pairs
),

mutual_pairs as (
    select outflow_transaction_id, inflow_transaction_id
    from ranked_pairs
    where rank_for_outflow = 1 and rank_for_inflow = 1
),

final as (
    select
        outflow_transaction_id as transaction_id,
        inflow_transaction_id as paired_transaction_id
    from mutual_pairs
    union all
    select
        inflow_transaction_id as transaction_id,
        outflow_transaction_id as paired_transaction_id
    from mutual_pairs
)

select * from final
