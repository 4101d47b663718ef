-- Spending per expense category per calendar month of a user, in one currency, over all of the
-- user's accounts: what budgets are measured against (and what the API answers as `spent` for a
-- budget created after the last build). Grain: user_id, currency, month_start, category.
-- - only categories of kind `expense`; transfers (is_transfer) never count;
-- - refunds (positive amounts) reduce spending; `spent_minor` is floored at zero (a month with
--   more refunds than purchases spent nothing), `net_spent_minor` keeps the sign;
-- - pending transactions count (money already committed);
-- - currencies are never mixed (no FX): each currency is its own row.
with transactions as (
    select * from {{ ref('fct_transactions') }}
),

expense_transactions as (
    select
        user_id,
        currency,
        cast(date_trunc('month', txn_date) as date) as month_start,
        category,
        amount_minor
    from transactions
    where category_kind = 'expense' and not is_transfer
),

aggregated as (
    select
        user_id,
        currency,
        month_start,
        category,
        cast(coalesce(-sum(amount_minor) filter (where amount_minor < 0), 0) as bigint)
            as outflow_minor,
        cast(coalesce(sum(amount_minor) filter (where amount_minor > 0), 0) as bigint)
            as refund_minor,
        cast(-sum(amount_minor) as bigint) as net_spent_minor,
        cast(count(*) as bigint) as transaction_count
    from expense_transactions
    group by user_id, currency, month_start, category
),

final as (
    select
        user_id,
        currency,
        month_start,
        category,
        outflow_minor,
        refund_minor,
        net_spent_minor,
        greatest(net_spent_minor, 0) as spent_minor,
        {{ minor_to_amount('greatest(net_spent_minor, 0)', 'currency') }} as spent_amount,
        transaction_count
    from aggregated
)

select * from final
