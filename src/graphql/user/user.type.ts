import { Field, ID, ObjectType } from 'type-graphql';
import type { UserEntity } from '../../db/entities';

@ObjectType({ description: 'A person who uploads and watches videos. Email is never exposed.' })
export class User {
  @Field(() => ID)
  id!: string;

  @Field()
  displayName!: string;

  static from(e: UserEntity): User {
    return Object.assign(new User(), { id: e.id, displayName: e.displayName });
  }
}

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <token>`.' })
  token!: string;

  @Field(() => User)
  user!: User;
}
