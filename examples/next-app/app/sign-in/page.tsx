export default function SignIn() {
  return <main>sign-in page (Clerk&apos;s components would render here)</main>;
}
