/** An order mentioned in a reply: its status and items, fetched from the API. */
import { fetchOrder, type Order } from "@tandem/client";
import { useEffect, useState } from "react";
import { StyleSheet, Text, View } from "react-native";
import { colors } from "../theme";

export function OrderCard({ orderId, token }: { orderId: string; token: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [failed, setFailed] = useState(false);
  // The list mounts a card again each time it scrolls back into view: the order is fetched once.
  useEffect(() => {
    let live = true;
    fetchOrder(orderId, token)
      .then((value) => live && setOrder(value))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [orderId, token]);
  if (failed) return null;
  const summary = order ? `Order ${orderId}, ${order.status}, ${order.items.length} items` : `Order ${orderId}`;
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
});
