{#- A UTC timestamp with time zone from either store: PostgreSQL gives TIMESTAMPTZ, SQLite gives
    text without an offset that SQLAlchemy wrote in UTC (the session's TimeZone is UTC). -#}
{% macro utc_timestamp(column) -%}
    cast(cast({{ column }} as varchar) as timestamptz)
{%- endmacro %}
