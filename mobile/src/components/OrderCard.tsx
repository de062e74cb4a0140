/**
 * An order mentioned in a reply: its status and items as the reply's turn saw them (carried
 * by its tool event), else fetched from the API as the order is now (older transcripts).
 */
import { fetchOrder, type Order, type OrderCardShape } from "@tandem/client";
import { useEffect, useState } from "react";
import { StyleSheet, Text, View } from "react-native";
import { colors } from "../theme";

/** What a card shows of an order fetched from the API. */
function shapeOf(order: Order): OrderCardShape {
  return { order_id: order.order_id, status: order.status, items: order.items, city: order.address?.city, state: order.address?.state };
}

/** The card of `orderId`: `seen` when the turn's tool event carried it (no fetch), else today's order. */
export function OrderCard({ orderId, token, seen }: { orderId: string; token: string; seen?: OrderCardShape }) {
  const [fetched, setFetched] = useState<OrderCardShape | null>(null);
  const [failed, setFailed] = useState(false);
  // The list mounts a card again each time it scrolls back into view: the order is fetched once.
  useEffect(() => {
    if (seen) return;
    let live = true;
    fetchOrder(orderId, token)
      .then((value) => live && setFetched(shapeOf(value)))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [orderId, token, seen]);
  const order = seen ?? fetched;
  if (!order && failed) return null;
  const summary = order ? `Order ${orderId}, ${order.status}, ${order.items.length} items` : `Order ${orderId}`;
  const total = order ? order.items.reduce((sum, item) => sum + item.price, 0) : 0;
  return (
    <View style={styles.card} role="article" accessible accessibilityLabel={summary}>
      <Text style={styles.title}>Order {orderId}</Text>
      {order ? (
        <>
          <Text style={styles.status}>Status: {order.status}</Text>
          {order.items.map((item, index) => (
            <Text key={`${item.name}${index}`} style={styles.item}>
              {item.name} · ${item.price.toFixed(2)}
            </Text>
          ))}
          <Text style={styles.total}>
            {order.city ? `${order.city}${order.state ? `, ${order.state}` : ""} · ` : ""}Total ${total.toFixed(2)}
          </Text>
        </>
      ) : (
        <Text style={styles.item}>Loading…</Text>
      )}
    </View>
  );
}

const styles = StyleSheet.create({
  card: { marginTop: 8, padding: 10, borderRadius: 10, borderWidth: 1, borderColor: colors.border, backgroundColor: colors.background },
  title: { fontSize: 15, fontWeight: "700", color: colors.text },
  status: { fontSize: 15, color: colors.text, marginVertical: 2 },
  item: { fontSize: 14, color: colors.muted },
  total: { fontSize: 14, fontWeight: "600", color: colors.text, marginTop: 2 },
});
