{#- Money is exact: integer minor units in the ops store, DECIMAL here, never a float. -#}

{#- The value of one minor unit of `currency_column` (0.01 for USD, 1 for JPY, 0.001 for KWD). -#}
{% macro minor_unit(currency_column) -%}
    case {{ currency_column }}
    {%- for currency, exponent in var('currency_exponents').items() %}
        when '{{ currency }}' then {{ '1' if exponent == 0 else '0.' ~ ('0' * (exponent - 1)) ~ '1' }}
    {%- endfor %}
        else 0.01
    end
{%- endmacro %}

{#- Integer minor units to an exact amount in the currency's major unit: DECIMAL(38,4) in
    staging and fct_transactions; the serving marts DECIMAL(18,4), 64-bit in DuckDB and much faster to scan. -#}
{% macro minor_to_amount(minor_column, currency_column, precision=38) -%}
    cast({{ minor_column }} * {{ minor_unit(currency_column) }} as decimal({{ precision }}, 4))
{%- endmacro %}

{#- Integer division rounded half away from zero, exactly (DuckDB's `/` on decimals gives a
    DOUBLE; `//` on integers truncates toward zero). Null when the denominator is 0. -#}
{% macro divide_rounded(numerator, denominator) -%}
    case
        when ({{ denominator }}) = 0 then null
        else sign(cast({{ numerator }} as hugeint)) * sign(cast({{ denominator }} as hugeint))
            * (
                (2 * abs(cast({{ numerator }} as hugeint)) + abs(cast({{ denominator }} as hugeint)))
                // (2 * abs(cast({{ denominator }} as hugeint)))
            )
    end
{%- endmacro %}

{#- The build's reference date: var as_of_date, or today (UTC). -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        cast(current_date as date)
    {%- endif -%}
{%- endmacro %}
