export default function HomePage() {
  return <h1>Commerce</h1>;
}
