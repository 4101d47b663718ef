{#- Schemas are named as configured (staging, intermediate, marts), not <target>_<name>:
    the serving snapshot and the API read `marts` whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
