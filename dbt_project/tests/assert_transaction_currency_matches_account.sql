-- Balances add transactions to their account's opening balance: that only holds when every
-- transaction is in its account's currency.
with transactions as (
    select * from {{ ref('fct_transactions') }}
),

accounts as (
    select * from {{ ref('stg_ops__accounts') }}
),

final as (
    select transactions.transaction_id, transactions.currency, accounts.currency as account_currency
    from transactions
    inner join accounts on transactions.account_id = accounts.account_id
    where transactions.currency <> accounts.currency
)

select * from final
