/** Entry point: one bundle, three apps chosen by the first path segment. */
import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { ChatApp } from "./chat/ChatApp";
import "./styles.css";

const AgentApp = lazy(() => import("./agent/AgentApp").then((module) => ({ default: module.AgentApp })));
const DashboardApp = lazy(() => import("./dashboard/DashboardApp"));
const HelpArticle = lazy(() => import("./help/HelpArticle"));

function App() {
  const [, app, rest] = window.location.pathname.split("/");
  switch (app) {
    case "agent":
      document.title = "Agent console · Tandem";
      return <AgentApp />;
    case "dashboard":
      document.title = "Dashboard · Tandem";
      return <DashboardApp />;
    case "help":
      return <HelpArticle articleId={decodeURIComponent(rest ?? "")} />;
    default:
      document.title = "Chat with support · Tandem";
      return <ChatApp />;
  }
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Suspense fallback={<p className="loading">Loading…</p>}>
      <App />
    </Suspense>
  </StrictMode>,
);

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  });
}
