import { Link } from "react-router";
import { Page } from "../components/Page";

export default function NotFound() {
  return (
    <Page title="Not found">
      <p>
        No page here. <Link to="/">Back to the overview</Link>.
      </p>
    </Page>
  );
}
