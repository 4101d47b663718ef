-- The category breakdown and the cash flow are two views of the same money: per user, currency
-- and month, the categories' income and expenses must equal the cash flow's, to the minor unit.
with cash_flow as (
    select * from {{ ref('mart_cash_flow_monthly') }}
),

categories as (
    select user_id, currency, month_start, sum(income) as income, sum(expenses) as expenses
    from {{ ref('mart_category_spend_monthly') }}
    group by all
),

final as (
    select cash_flow.*, categories.income as category_income,
        categories.expenses as category_expenses
    from cash_flow
    full outer join categories using (user_id, currency, month_start)
    -- a month of only transfers has cash-flow zeros and no category rows
    where coalesce(cash_flow.income, 0) <> coalesce(categories.income, 0)
        or coalesce(cash_flow.expenses, 0) <> coalesce(categories.expenses, 0)
)

select * from final
