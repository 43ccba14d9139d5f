import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { errorMessage } from '../client';
import { SignInMutation, SignUpMutation } from '../graphql/operations';
import { Link, navigate } from '../router';
import { session } from '../session';

/** Sign in or sign up; `onDone` lets a page keep its state (e.g. a chosen file) instead of navigating. */
export function SignInForm({ mode, onDone }: { mode: 'signin' | 'signup'; onDone?: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [signIn, doSignIn] = useMutation(SignInMutation);
  const [signUp, doSignUp] = useMutation(SignUpMutation);
  const busy = signIn.fetching || signUp.fetching;
  const error = mode === 'signin' ? signIn.error : signUp.error;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const result =
      mode === 'signin'
        ? await doSignIn({ email, password }).then((r) => r.data?.signIn)
        : await doSignUp({ email, password, displayName }).then((r) => r.data?.signUp);
    if (!result) return;
    session.signIn(result.token);
    if (onDone) onDone();
    else navigate('/');
  }

  return (
    <form className="card auth" onSubmit={submit} aria-label={mode === 'signin' ? 'Sign in' : 'Sign up'}>
      <label>
        Email
        <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'signup' ? 8 : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {mode === 'signup' && (
        <label>
          Display name
          <input name="displayName" autoComplete="nickname" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
      )}
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      <button type="submit" disabled={busy}>{mode === 'signin' ? 'Sign in' : 'Create account'}</button>
    </form>
  );
}

export function SignInPage({ mode }: { mode: 'signin' | 'signup' }) {
  return (
    <section className="narrow">
      <h1>{mode === 'signin' ? 'Sign in' : 'Create an account'}</h1>
      <SignInForm key={mode} mode={mode} />
      <p>
        {mode === 'signin' ? (
          <>No account yet? <Link to="/signup">Sign up</Link></>
        ) : (
          <>Already have an account? <Link to="/signin">Sign in</Link></>
        )}
      </p>
    </section>
  );
}
