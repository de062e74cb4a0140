/** The app's entry point: registers the root component with Expo. */
import { registerRootComponent } from "expo";
import App from "./src/App";

registerRootComponent(App);
