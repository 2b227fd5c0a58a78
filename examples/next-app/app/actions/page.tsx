import { auth } from '@clerk/nextjs/server';

async function rename(formData: FormData) {
  'use server';
  const { userId } = await auth();
  console.log('rename by', userId, String(formData.get('name') ?? ''));
}

// Protected by the middleware; a server action posted while signed out gets a 401.
export default function Actions() {
  return (
    <main>
      <form action={rename}>
        <input name="name" />
        <button type="submit">save</button>
      </form>
    </main>
  );
}
