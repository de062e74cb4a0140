/** A help-centre article (the link target of a reply's sources). */
import { useEffect, useState } from "react";
import { api } from "@tandem/client";
import { RichText } from "../ui/RichText";

interface Article {
  article_id: string;
  title: string;
  text: string;
}

export default function HelpArticle({ articleId }: { articleId: string }) {
  const [article, setArticle] = useState<Article | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Article>(`/v1/help/articles/${encodeURIComponent(articleId)}`, null)
      .then((value) => {
        setArticle(value);
        document.title = `${value.title} · Help centre`;
      })
      .catch((reason: Error) => setError(reason.message));
  }, [articleId]);
  const body = article?.text.replace(/^#\s+.*\n+/, "").replace(/^##\s+(.*)$/gm, "**$1**");
  return (
    <div className="help">
      <header className="topbar">
        <span className="brand">
          <img src="/icon.svg" alt="" width={24} height={24} /> Tandem <span className="muted">Help centre</span>
        </span>
        <nav aria-label="Apps">
          <a href="/chat">Chat with us</a>
        </nav>
      </header>
      <main id="main" className="help-body">
        {error && <p role="alert" className="banner error">{error}</p>}
        {article && (
          <article>
            <h1>{article.title}</h1>
            <RichText text={body ?? ""} />
          </article>
        )}
      </main>
    </div>
  );
}
