-- shipment_buzz_monthly with prefecture names and the buzz-minus-shipment gap.
create or replace view v_shipment_buzz_named as
with shipment_buzz as (

    select * from shipment_buzz_monthly_v1

),

prefectures as (

    select * from prefectures

)

select
    sb.month,
    sb.item,
    sb.pref_code,
    p.pref_name,
    sb.shipment_qty,
    sb.unit,
    sb.shipment_share,
    sb.posts,
    sb.posts_share,
    round(sb.posts_share - sb.shipment_share, 4) as buzz_minus_shipment_share
from shipment_buzz as sb
left join prefectures as p
    on sb.pref_code = p.pref_code
