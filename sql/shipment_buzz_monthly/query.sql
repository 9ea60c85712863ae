-- Which regions compete with our shipments, and when: shipments vs. posts per prefecture and month.
-- Built on the v_shipment_buzz_named view (sql/views/), which adds prefecture names and the gap.
-- set variable item = 'いちご';
with shipment_buzz as (

    select * from v_shipment_buzz_named
    where item = getvariable('item')

),

final as (

    select
        sb.month,
        sb.pref_code,
        sb.pref_name,
        sb.shipment_qty,
        sb.unit,
        sb.shipment_share,
        sb.posts,
        sb.posts_share,
        sb.buzz_minus_shipment_share
    from shipment_buzz as sb

)

select * from final
order by month, shipment_qty desc nulls last, posts desc
